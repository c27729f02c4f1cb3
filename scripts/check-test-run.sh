#!/usr/bin/env bash
# Runs the sample app the development way the README gives, `./mvnw -B -pl sample-app
# spring-boot:test-run`, with SPRING_DATASOURCE_URL unset: TestSampleApplication starts a
# Testcontainers PostgreSQL where a Docker engine answers, else falls back to
# localhost:5432. Checks the branch it took, that the pool was verified and that
# /actuator/health answers UP; stops the app whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[test-run] %s\n' "$*"; }
out=$(mktemp /tmp/poolwarden-test-run.XXXXXX)
pgid=
trap '[ -n "$pgid" ] && { kill -- -"$pgid" 2>/dev/null || true; }; rm -f "$out"' EXIT
fail() { log "$*"; tail -n 40 "$out" >&2; exit 1; }

# the starter as the sample app resolves it
./mvnw -B -q install -DskipTests -pl starter -am
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
env -u SPRING_DATASOURCE_URL -u SPRING_DATASOURCE_USERNAME -u SPRING_DATASOURCE_PASSWORD \
	setsid ./mvnw -B -pl sample-app spring-boot:test-run -Dspring-boot.run.arguments="--server.port=$port" \
	>"$out" 2>&1 &
pgid=$!

for _ in $(seq 1 180); do
	curl -fs "http://127.0.0.1:$port/actuator/health" >/dev/null 2>&1 && break
	kill -0 "$pgid" 2>/dev/null || fail "spring-boot:test-run exited"
	sleep 1
done
curl -fs "http://127.0.0.1:$port/actuator/health" | grep -q '"status":"UP"' || fail "/actuator/health is not UP"
grep -q "sample - verified " "$out" || fail "the pool was not verified"
if grep -q "No Docker engine answers: running against the PostgreSQL on localhost:5432." "$out"; then
	log "no Docker engine here: the app fell back to localhost:5432, verified its pool and answers UP"
elif grep -qi "testcontainers" "$out"; then
	log "Testcontainers started PostgreSQL: the app verified its pool and answers UP"
else
	fail "neither the Testcontainers database nor the localhost fallback was used"
fi
