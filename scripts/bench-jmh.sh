#!/usr/bin/env bash
# JMH benchmarks in bench/ (io.topaz.bench.*). Arguments go to JMH: a regex of benchmarks and options.
# Usage: scripts/bench-jmh.sh [JMH args...]     e.g. scripts/bench-jmh.sh MetadataCacheBench -f 1 -wi 3 -i 5
#        scripts/bench-jmh.sh -l                 lists the benchmarks
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl bench -am package
exec java -Xms512m -Xmx2g -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" org.openjdk.jmh.Main "$@"
