# Sourced by ./fcn4j and ./run-tests: sets JAVA_HOME to a JDK 25 or newer, or fails with a message.
# Order: JAVA_HOME if it is 25 or newer, then JDKs under /usr/lib/jvm, then the java on PATH.

fcn4j_java_major() {
  # Prints the feature version of the java binary $1 (17, 25, ...), or nothing.
  "$1" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

fcn4j_find_jdk() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*25* /usr/lib/jvm/* \
      "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(fcn4j_java_major "$candidate/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

if ! FCN4J_JDK=$(fcn4j_find_jdk); then
  cat >&2 <<'MSG'
fcn4j needs a JDK 25 or newer, and none was found (checked JAVA_HOME, /usr/lib/jvm/* and the java on PATH).
Install one, for example Eclipse Temurin 25 (https://adoptium.net) or your distribution's openjdk-25-jdk package,
then set JAVA_HOME to it and run this command again.
MSG
  # Sourced from an interactive shell, as the README's commands do, return keeps the shell open.
  # The scripts that source this file run with set -e, so they stop here either way.
  return 1 2>/dev/null || exit 1
fi
export JAVA_HOME="$FCN4J_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
