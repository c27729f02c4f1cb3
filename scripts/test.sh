#!/usr/bin/env bash
# Runs PoolWarden's tests on a Debian or Ubuntu machine, doing the set-up they need first:
#
#   - a JDK (17 or newer), if none is on the PATH;
#   - Chromium and ChromeDriver (the sample app's live page is tested in a real browser);
#   - PostgreSQL: the server binaries (the reliability suite starts private clusters from
#     them) and, unless POOLWARDEN_TEST_JDBC_URL names a server already, the machine's own
#     cluster, started if it is down, with a role the tests may use;
#   - PgBouncer (the tests start their own, in front of the test PostgreSQL);
#   - MariaDB: unless POOLWARDEN_TEST_MARIADB_URL names a server already, the machine's
#     own, started if it is down, with an account the tests may use.
#
# Installing and starting needs root or sudo; where a piece is already there, nothing is
# done about it. Then it runs `./mvnw -B verify` with any arguments given to it.
#
# Environment:
#   POOLWARDEN_TEST_JDBC_URL    a PostgreSQL server to test against instead of the
#                               machine's own (a role that may create databases and roles)
#   POOLWARDEN_TEST_MARIADB_URL a MariaDB or MySQL server to test against instead of the
#                               machine's own (an account that may create databases, users)
#   POOLWARDEN_SKIP_SETUP=1   only run the build
#   POOLWARDEN_SETUP_ONLY=1   only the set-up: print the two URLs above as `export` lines
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[test] %s\n' "$*" >&2; }

as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		log "needs root to run: $*"
		log "install it yourself, or run this script as root or with sudo available"
		exit 1
	fi
}

as_postgres() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

apt_install() {
	log "installing $*"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

setup() {
	local missing=()
	command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
	command -v chromium >/dev/null 2>&1 || missing+=(chromium)
	command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
	[ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
	if [ -z "${POOLWARDEN_TEST_MARIADB_URL:-}" ] && ! command -v mariadb-admin >/dev/null 2>&1; then
		missing+=(mariadb-server mariadb-client)
	fi
	if [ ${#missing[@]} -gt 0 ]; then
		apt_install "${missing[@]}"
	fi

	setup_mariadb
	if [ -n "${POOLWARDEN_TEST_JDBC_URL:-}" ]; then
		log "tests use the PostgreSQL server named by POOLWARDEN_TEST_JDBC_URL"
		return
	fi

	local version port
	version=$(ls /etc/postgresql | sort -V | tail -n 1)
	port=$(awk -F= '/^[[:space:]]*port[[:space:]]*=/ {gsub(/[^0-9]/, "", $2); print $2}' \
		"/etc/postgresql/$version/main/postgresql.conf" | head -n 1)
	port=${port:-5432}
	if ! pg_isready -q -h 127.0.0.1 -p "$port"; then
		log "starting PostgreSQL $version on port $port"
		as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
	fi
	for _ in $(seq 1 60); do
		pg_isready -q -h 127.0.0.1 -p "$port" && break
		sleep 0.5
	done
	pg_isready -h 127.0.0.1 -p "$port"

	if psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -w -Atc 'SELECT 1' >/dev/null 2>&1; then
		export POOLWARDEN_TEST_JDBC_URL="jdbc:postgresql://127.0.0.1:$port/postgres?user=postgres"
	else
		# Password authentication on TCP (a fresh install): a dedicated role, made through
		# the local socket, with a new random password each run.
		log "creating the test role poolwarden_test"
		local secret
		secret=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
		as_postgres psql -q -d postgres -v ON_ERROR_STOP=1 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'poolwarden_test') THEN
    CREATE ROLE poolwarden_test LOGIN CREATEDB CREATEROLE;
  END IF;
END \$\$;
ALTER ROLE poolwarden_test PASSWORD '$secret';
GRANT pg_signal_backend TO poolwarden_test;
SQL
		export POOLWARDEN_TEST_JDBC_URL="jdbc:postgresql://127.0.0.1:$port/postgres?user=poolwarden_test&password=$secret"
	fi
	log "tests use PostgreSQL $version at 127.0.0.1:$port"
}

setup_mariadb() {
	if [ -n "${POOLWARDEN_TEST_MARIADB_URL:-}" ]; then
		log "tests use the MariaDB server named by POOLWARDEN_TEST_MARIADB_URL"
		return
	fi
	if ! mariadb-admin -h 127.0.0.1 -P 3306 -u root --connect-timeout=2 ping >/dev/null 2>&1 \
		&& ! as_root mariadb-admin ping >/dev/null 2>&1; then
		log "starting MariaDB"
		as_root /etc/init.d/mariadb start >/dev/null
		for _ in $(seq 1 60); do
			as_root mariadb-admin ping >/dev/null 2>&1 && break
			sleep 0.5
		done
	fi
	if mariadb-admin -h 127.0.0.1 -P 3306 -u root --connect-timeout=2 ping >/dev/null 2>&1; then
		export POOLWARDEN_TEST_MARIADB_URL="jdbc:mariadb://127.0.0.1:3306/?user=root"
	else
		# root logs in through the local socket only (a fresh install): a dedicated
		# account, with a new random password each run
		log "creating the MariaDB test account poolwarden_test"
		local secret
		secret=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
		as_root mariadb -u root <<SQL
CREATE USER IF NOT EXISTS 'poolwarden_test'@'%' IDENTIFIED BY '$secret';
ALTER USER 'poolwarden_test'@'%' IDENTIFIED BY '$secret';
GRANT ALL PRIVILEGES ON *.* TO 'poolwarden_test'@'%' WITH GRANT OPTION;
SQL
		export POOLWARDEN_TEST_MARIADB_URL="jdbc:mariadb://127.0.0.1:3306/?user=poolwarden_test&password=$secret"
	fi
	log "tests use MariaDB at 127.0.0.1:3306"
}

if [ "${POOLWARDEN_SKIP_SETUP:-}" != 1 ]; then
	setup
fi

# Only the set-up: print the servers the tests use, as shell assignments for another
# script's `eval` (CI's later steps), and build nothing.
if [ "${POOLWARDEN_SETUP_ONLY:-}" = 1 ]; then
	printf 'export POOLWARDEN_TEST_JDBC_URL=%q\n' "${POOLWARDEN_TEST_JDBC_URL:-}"
	printf 'export POOLWARDEN_TEST_MARIADB_URL=%q\n' "${POOLWARDEN_TEST_MARIADB_URL:-}"
	exit 0
fi

# The build targets Java 17: say which JDK runs it, and stop early on an older one.
java_version=$(java -XshowSettings:properties -version 2>&1 | awk -F= '/java.specification.version/ {gsub(/ /, "", $2); print $2}')
case "$java_version" in
	1.*|9|10|11|12|13|14|15|16|"")
		log "Java ${java_version:-unknown} found at $(command -v java): PoolWarden needs Java 17 or newer (set JAVA_HOME or PATH)"
		exit 1 ;;
esac
log "building with Java $java_version ($(command -v java))"

exec ./mvnw -B verify "$@"
