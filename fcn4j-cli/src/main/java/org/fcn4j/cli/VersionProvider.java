package org.fcn4j.cli;

import org.fcn4j.Fcn4j;

import picocli.CommandLine.IVersionProvider;

/** Prints the fcn4j version and the kernel path in use. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"fcn4j " + Fcn4j.version(), "Java " + Runtime.version()};
    }
}
