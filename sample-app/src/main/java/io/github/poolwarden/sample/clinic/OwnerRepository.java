/*
 * Copyright 2026-present the PoolWarden authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *      https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

package io.github.poolwarden.sample.clinic;

import java.util.List;

import org.springframework.data.jpa.repository.EntityGraph;
import org.springframework.data.jpa.repository.JpaRepository;

/**
 * Owners, through Spring Data JPA.
 *
 * @author PoolWarden authors
 */
public interface OwnerRepository extends JpaRepository<Owner, Integer> {

	/**
	 * Find the owners whose last name starts with the given text, with their pets.
	 * @param lastName the start of the last name
	 * @return the owners
	 */
	@EntityGraph(attributePaths = "pets")
	List<Owner> findByLastNameStartingWithOrderByLastName(String lastName);

}
