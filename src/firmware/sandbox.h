/* The VM sandbox (architecture.md "Sandbox"): entered once per VM, right
 * after vb_engine_fork() and before the board filesystem is mounted or any
 * device code runs. The zygote and the supervisor are never restricted.
 *
 * Layers, outermost first (the kernel ones are the boundary; the Python one
 * is defence in depth only, since CPython introspection reaches anything
 * loaded in the process):
 *   1. file descriptors: 0/1/2 -> /dev/null, every inherited fd closed but
 *      the serial output pipe and the input eventfd (the flash image stays
 *      mapped; its fd goes);
 *   2. rlimits: RLIMIT_NOFILE and RLIMIT_CORE (RLIMIT_AS is the engine's);
 *   3. capabilities: all dropped (bounding, ambient, inheritable,
 *      permitted, effective; securebits locked when root);
 *   4. Landlock: every filesystem right the kernel knows is handled with no
 *      rule (nothing may be opened, created, removed, truncated or executed),
 *      TCP bind/connect denied (ABI >= 4), signals and abstract UNIX sockets
 *      scoped to the VM (ABI >= 6); skipped silently on kernels without it;
 *   5. seccomp-bpf: an allow-list, default kill (sandbox_kernel.c, which
 *      holds 3-5 without Python so the unit test installs the same), so
 *      the rules hold on kernels without Landlock too;
 *   6. Python: host-reaching modules dropped from sys.modules and the
 *      builtin importer filtered to an allow-list. */
#ifndef VB_FIRMWARE_SANDBOX_H
#define VB_FIRMWARE_SANDBOX_H

#include "contract/firmware.h"

/* Enter the sandbox in the calling VM process (the engine's thread, GIL
 * held). Irreversible. If seccomp cannot be installed the VM does not run
 * device code unconfined: it says so on the serial line and halts. */
void vb_sandbox_enter(const vb_firmware_ctx *fw);

#endif
