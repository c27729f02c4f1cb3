-- The owners and pets of Spring PetClinic's sample data.
INSERT INTO owners (id, first_name, last_name, city) VALUES
    (1, 'George', 'Franklin', 'Madison'),
    (2, 'Betty', 'Davis', 'Sun Prairie'),
    (3, 'Eduardo', 'Rodriquez', 'McFarland'),
    (4, 'Harold', 'Davis', 'Windsor'),
    (5, 'Peter', 'McTavish', 'Madison'),
    (6, 'Jean', 'Coleman', 'Monona'),
    (7, 'Jeff', 'Black', 'Monona'),
    (8, 'Maria', 'Escobito', 'Madison'),
    (9, 'David', 'Schroeder', 'Madison'),
    (10, 'Carlos', 'Estaban', 'Waunakee');
SELECT setval(pg_get_serial_sequence('owners', 'id'), 10);

INSERT INTO pets (id, name, birth_date, kind, owner_id) VALUES
    (1, 'Leo', '2020-09-07', 'cat', 1),
    (2, 'Basil', '2022-08-06', 'hamster', 2),
    (3, 'Rosy', '2021-04-17', 'dog', 3),
    (4, 'Jewel', '2020-03-07', 'dog', 3),
    (5, 'Iggy', '2020-11-30', 'lizard', 4),
    (6, 'George', '2020-01-20', 'snake', 5),
    (7, 'Samantha', '2022-09-04', 'cat', 6),
    (8, 'Max', '2022-09-04', 'cat', 6),
    (9, 'Lucky', '2021-08-06', 'bird', 7),
    (10, 'Mulligan', '2017-02-24', 'dog', 8),
    (11, 'Freddy', '2020-03-09', 'bird', 9),
    (12, 'Lucky', '2020-06-24', 'dog', 10),
    (13, 'Sly', '2022-06-08', 'cat', 10);
SELECT setval(pg_get_serial_sequence('pets', 'id'), 13);
