package org.fcn4j.kernel;

import java.lang.System.Logger.Level;

/**
 * Picks the {@link KernelSupport} once, when a kernel first runs, and logs one INFO line naming
 * it: the Vector API implementation when it can run fast, else the scalar twin with the reason.
 *
 * <p>The scalar path is taken when the system property {@code fcn4j.scalar} is {@code true}, when
 * the module jdk.incubator.vector is not in the boot layer (the JVM was started without
 * {@code --add-modules jdk.incubator.vector}), when the JVM runs interpreted only or without C2,
 * when the CPU has no fused multiply-add, or when the preferred vector is narrower than 128 bits. With the Vector API, a background
 * thread then calls the kernels until the JIT has compiled them ({@link KernelWarmUp}).
 */
final class KernelProvider {
    static final String SCALAR_PROPERTY = "fcn4j.scalar";
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    private KernelProvider() {
    }

    /** The implementation every kernel uses; the holder idiom makes the choice once, thread-safely. */
    static KernelSupport get() {
        return Holder.INSTANCE;
    }

    private static final class Holder {
        static final KernelSupport INSTANCE = choose();
    }

    private static KernelSupport choose() {
        System.Logger log = System.getLogger("org.fcn4j.kernel");
        String reason = scalarReason();
        if (reason == null) {
            KernelSupport vector = loadVector();
            int bits = vector.vectorBitSize();
            if (bits >= 128) {
                log.log(Level.INFO, "fcn4j kernels: " + vector.description());
                KernelWarmUp.start(vector);
                return vector;
            }
            reason = "the preferred vector is only " + bits + " bits wide";
        }
        KernelSupport scalar = new ScalarKernelSupport();
        log.log(Level.INFO, "fcn4j kernels: " + scalar.description() + ", because " + reason);
        return scalar;
    }

    /** Returns why the Vector API cannot be used, or null when it can. */
    static String scalarReason() {
        if (Boolean.getBoolean(SCALAR_PROPERTY)) {
            return "the system property " + SCALAR_PROPERTY + " is true";
        }
        // Checked before any Vector API class is touched: loading one without the module fails.
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            return "the module " + VECTOR_MODULE + " is not loaded; start the JVM with --add-modules "
                    + VECTOR_MODULE + " to use SIMD kernels";
        }
        // Vector API code is only fast once C2 has compiled it; interpreted or from C1, it is far
        // slower than scalar code.
        if (String.valueOf(System.getProperty("java.vm.info")).contains("interpreted mode")) {
            return "the JVM runs in interpreted mode (-Xint)";
        }
        String level = vmOption("TieredStopAtLevel");
        if (level != null && Integer.parseInt(level) < 4) {
            return "C2 is disabled (-XX:TieredStopAtLevel=" + level + "), and without it Vector API code is slow";
        }
        // Without fused multiply-add instructions (x86 CPUs without FMA3, or -XX:-UseFMA), C2
        // cannot compile the kernels' fma calls. They then run as Java code that allocates every
        // vector: with SSE only (-XX:UseAVX=0), gemmTile allocated 1.1 MB per call.
        if ("false".equals(vmOption("UseFMA"))) {
            return "the CPU or JVM has no fused multiply-add (UseFMA is false), which the SIMD kernels need";
        }
        return null;
    }

    /** Returns the value of a HotSpot option, or null when the JVM cannot report it. */
    private static String vmOption(String name) {
        try {
            var bean = java.lang.management.ManagementFactory.getPlatformMXBean(
                    com.sun.management.HotSpotDiagnosticMXBean.class);
            return bean == null ? null : bean.getVMOption(name).getValue();
        } catch (LinkageError | RuntimeException e) {
            // Not HotSpot, or a runtime image without the management modules: assume C2 and FMA.
            return null;
        }
    }

    /** Creates the Vector API implementation by name, so this class links without the module. */
    static KernelSupport loadVector() {
        try {
            return (KernelSupport) Class.forName("org.fcn4j.kernel.PanamaKernelSupport")
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create the Vector API kernels", e);
        }
    }
}
