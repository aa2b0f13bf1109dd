/* A main() for a fuzz target built without libFuzzer (VB_FUZZ_MAIN): runs
 * LLVMFuzzerTestOneInput once per file named on the command line, so a
 * crash input can be replayed under a debugger or valgrind. The target
 * defines VB_FUZZ_REPLAY_MAX, the most bytes it reads from a file. */
#ifdef VB_FUZZ_MAIN
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            return 2;
        }
        uint8_t *buf = malloc(VB_FUZZ_REPLAY_MAX);
        size_t n = buf ? fread(buf, 1, VB_FUZZ_REPLAY_MAX, f) : 0;
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
        free(buf);
        printf("ok %s (%zu bytes)\n", argv[i], n);
    }
    return 0;
}
#endif
