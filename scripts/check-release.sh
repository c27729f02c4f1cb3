#!/usr/bin/env bash
# Checks what `./mvnw -B -Prelease -DskipTests verify` made for every published module: the
# jar, sources and javadoc jars, a CycloneDX SBOM, and a flattened POM complete for Maven
# Central with no unresolved property and no test dependency. Run after that build.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { printf '[release] %s\n' "$*" >&2; exit 1; }

version=$(sed -n 's|^\t<version>\(.*\)</version>|\1|p' pom.xml | head -n 1)
[ -n "$version" ] || fail "cannot read the project version from pom.xml"

for module in autoconfigure starter; do
	artifact=$(sed -n 's|^\t<artifactId>\(.*\)</artifactId>|\1|p' "$module/pom.xml" | head -n 1)
	target="$module/target"
	for file in "$artifact-$version.jar" "$artifact-$version-sources.jar" "$artifact-$version-javadoc.jar" \
		"bom.json"; do
		[ -s "$target/$file" ] || fail "$module: $target/$file is missing"
	done
	pom="$module/.flattened-pom.xml"
	[ -s "$pom" ] || fail "$module: $pom (the published POM) is missing"
	for element in name description url licenses developers scm; do
		grep -Eq "<$element[ >]" "$pom" || fail "$module: the published POM has no <$element>"
	done
	if grep -q '\${' "$pom"; then
		fail "$module: the published POM has an unresolved property: $(grep -m1 '\${' "$pom")"
	fi
	if grep -q '<scope>test</scope>' "$pom"; then
		fail "$module: the published POM lists a test dependency"
	fi
	if grep -q '<parent>' "$pom"; then
		fail "$module: the published POM still needs its parent"
	fi
	grep -q '"bomFormat" *: *"CycloneDX"' "$target/bom.json" || fail "$module: bom.json is not a CycloneDX SBOM"
	listing=$(unzip -l "$target/$artifact-$version-javadoc.jar")
	grep -q 'index.html' <<<"$listing" || fail "$module: the javadoc jar has no index.html"
	printf '[release] %s: jar, sources, javadoc, SBOM and a complete POM\n' "$artifact"
done
