package org.fcn4j.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Training progress on stderr: a one-line bar redrawn in place on a terminal, or plain lines every
 * few seconds (and at the end of each epoch) when stderr is redirected or {@code TERM=dumb}, so
 * that log files stay readable.
 *
 * <p>Line content: epoch, step, running mean loss, learning rate, images per second, and the
 * estimated time left for the whole run.
 */
final class Progress {
    private static final int BAR_WIDTH = 24;

    private final PrintStream err;
    private final boolean interactive;
    private final double plainIntervalSeconds;
    private long lastPlainNanos;
    private int lastLength;

    Progress(PrintStream err, boolean interactive, double plainIntervalSeconds) {
        this.err = err;
        this.interactive = interactive;
        this.plainIntervalSeconds = plainIntervalSeconds;
        this.lastPlainNanos = System.nanoTime();
    }

    /** Whether stderr is a terminal that can redraw a line: a console exists and TERM is not "dumb". */
    static boolean stderrIsTerminal() {
        String term = System.getenv("TERM");
        return System.console() != null && !"dumb".equals(term);
    }

    /**
     * Shows one step. {@code etaSeconds} covers the rest of the run; NaN before it can be estimated.
     */
    void step(int epoch, int epochs, int step, int steps, double loss, double lr, double imagesPerSecond,
            double etaSeconds) {
        String text = String.format(Locale.ROOT, "epoch %d/%d step %d/%d loss %.4f lr %.3g %.0f img/s ETA %s",
                epoch, epochs, step, steps, loss, lr, imagesPerSecond, duration(etaSeconds));
        if (interactive) {
            int filled = steps == 0 ? BAR_WIDTH : (int) ((long) BAR_WIDTH * step / steps);
            String bar = "[" + "#".repeat(filled) + " ".repeat(BAR_WIDTH - filled) + "] ";
            String line = bar + text;
            int pad = Math.max(0, lastLength - line.length());
            err.print("\r" + line + " ".repeat(pad));
            err.flush();
            lastLength = line.length();
            return;
        }
        long now = System.nanoTime();
        if (step == steps || (now - lastPlainNanos) / 1e9 >= plainIntervalSeconds) {
            err.println(text);
            lastPlainNanos = now;
        }
    }

    /** Ends the current bar line before other output. */
    void endLine() {
        if (interactive && lastLength > 0) {
            err.print("\r" + " ".repeat(lastLength) + "\r");
            err.flush();
            lastLength = 0;
        }
    }

    /** Formats seconds as 1h02m, 3m05s or 42s; "?" when unknown. */
    static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "?";
        }
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return s + "s";
    }
}
