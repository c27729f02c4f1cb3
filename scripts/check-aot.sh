#!/usr/bin/env bash
# Builds the sample app with Spring AOT and runs it on the generated code, as the README
# says, against the PostgreSQL of POOLWARDEN_TEST_JDBC_URL (or localhost:5432 as postgres):
# it must start (the pool verified), answer /actuator/health, /actuator/poolwarden and the
# metrics, and replay incident 003. Stops the app whatever happens. Then runs the tests of
# a small application using the starter on the code process-test-aot generated for them.
# Where a GraalVM native-image is installed, builds the sample app as a native image and
# runs the same checks on it; otherwise says the native build did not run.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[aot] %s\n' "$*"; }
fail() { log "$*"; [ -f "$out" ] && tail -n 40 "$out" >&2; exit 1; }

./mvnw -B -q -Paot -pl sample-app -am package -DskipTests
jar=$(ls sample-app/target/poolwarden-sample-app-*.jar | grep -v original | head -n 1)
[ -s sample-app/target/spring-aot/main/sources/io/github/poolwarden/sample/SampleApplication__ApplicationContextInitializer.java ] \
	|| { log "no AOT-generated initializer: process-aot did not run"; exit 1; }

url=${POOLWARDEN_TEST_JDBC_URL:-jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres}
out=$(mktemp /tmp/poolwarden-aot.XXXXXX)
pid=
trap '[ -n "$pid" ] && { kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; }; rm -f "$out"' EXIT

# Runs the app the command names (the URL's own user and password apply; the sample's
# defaults are cleared) and checks what the README promises of it; stops it after.
check_app() {
	local what=$1 started=$2
	shift 2
	local port
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	"$@" --server.port="$port" --spring.datasource.url="$url" \
		--spring.datasource.username= --spring.datasource.password= >"$out" 2>&1 &
	pid=$!
	local base="http://127.0.0.1:$port"
	for _ in $(seq 1 120); do
		curl -fs "$base/actuator/health" >/dev/null 2>&1 && break
		kill -0 $pid 2>/dev/null || fail "$what exited"
		sleep 1
	done
	grep -q "$started" "$out" || fail "$what did not run on the AOT-generated code"
	grep -q "sample - verified " "$out" || fail "$what: the pool was not verified"
	curl -fs "$base/actuator/health" | grep -q '"status":"UP"' || fail "$what: /actuator/health is not UP"
	curl -fs "$base/actuator/poolwarden" | grep -q '"advice":{"verdict"' || fail "$what: /actuator/poolwarden has no advice"
	curl -fs "$base/actuator/metrics/poolwarden.connections.utilization" | grep -q '"pool"' \
		|| fail "$what: the utilization gauge is missing"
	curl -fs "$base/actuator/metrics/poolwarden.connections.recommended" | grep -q '"pool"' \
		|| fail "$what: the recommended-size gauge is missing"
	curl -fs -X POST "$base/incidents/003" | grep -q '"side":"poolwarden"' || fail "$what: incident 003 did not replay"
	kill $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	pid=
	log "$what: verified, health, endpoint, metrics, incident 003"
}

check_app "the sample app on AOT-generated code" "Starting AOT-processed SampleApplication" \
	java -Dspring.aot.enabled=true -jar "$jar"

POOLWARDEN_TEST_JDBC_URL="$url" ./mvnw -B -q -Paot -pl aot-test-app -am verify \
	-Dtest=AotTestApplicationTests -Dsurefire.failIfNoSpecifiedTests=false
grep -q "Tests run: 3, Failures: 0, Errors: 0" aot-test-app/target/surefire-reports/*.txt \
	|| { log "the AOT test application's tests did not all run"; exit 1; }
log "the AOT test application's tests ran on process-test-aot's generated code"
# A native image where a GraalVM is installed (JAVA_HOME or GRAALVM_HOME pointing at it,
# or native-image on the PATH); otherwise this says it did not run.
native=$(command -v native-image 2>/dev/null || true)
for home in "${GRAALVM_HOME:-}" "${JAVA_HOME:-}"; do
	[ -z "$native" ] && [ -n "$home" ] && [ -x "$home/bin/native-image" ] && native=$home/bin/native-image
done
if [ -n "$native" ]; then
	log "native-image found ($native): building the sample app as a native image"
	GRAALVM_HOME=$(dirname "$(dirname "$native")") ./mvnw -B -q -Pnative -pl sample-app -am package -DskipTests
	check_app "the sample app as a native image" "Starting AOT-processed SampleApplication" \
		sample-app/target/poolwarden-sample-app
else
	./mvnw -B -q -Pnative -pl sample-app validate
	log "no GraalVM native-image on this machine: the native build did not run (its profile resolves)"
fi
