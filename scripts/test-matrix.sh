#!/usr/bin/env bash
# The compatibility matrix: the auto-configuration built and a representative set of its
# integration tests (startup verification, retry, health, holders, slices, the lazy
# connection fetch, pool-size advice) run against real PostgreSQL on each supported
# Spring Boot line and HikariCP line. Needs what scripts/test.sh sets up; uses
# POOLWARDEN_TEST_JDBC_URL (and POOLWARDEN_TEST_MARIADB_URL) as the build does.
#
#   Boot 4.0.7 with the HikariCP it manages (7.0.2)
#   Boot 4.1.1 with HikariCP 7.1.0 (the default build covers 4.1.1 with 7.0.2)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[matrix] %s\n' "$*"; }

tests='StartupVerificationTests,PoolLifecyclePostgresTests,NothingTunedPostgresTests,AcquisitionRetryPostgresTests,'
tests+='PoolWardenHealthPostgresTests,HolderNamingPostgresTests,JdbcSliceTests,DataJpaSliceTests,'
tests+='LazyConnectionFetchTests,PoolSizeAdvicePostgresTests,PoolWardenAutoConfigurationTests'

run() {
	local boot=$1 hikari=$2
	log "Spring Boot $boot, HikariCP $hikari"
	./mvnw -B -q -Dspring-boot.version="$boot" -Dhikaricp.version="$hikari" -pl autoconfigure clean test \
		-Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false
	log "Spring Boot $boot, HikariCP $hikari: passed"
}

trap './mvnw -B -q -pl autoconfigure clean >/dev/null 2>&1 || true' EXIT
run 4.0.7 7.0.2
run 4.1.1 7.1.0
