/* The VM's last words on a C stack overflow (issue 11). */
#ifndef VB_FIRMWARE_VM_FAULT_H
#define VB_FIRMWARE_VM_FAULT_H

/* Install, before device code runs, a SIGSEGV handler on its own stack
 * that says on `fd` when the fault is a stack overflow, in ESP-IDF's words,
 * then lets the VM die of SIGSEGV (the supervisor's panic report and hard
 * reset follow, as on the real board). 0, or -1 if it could not be set up. */
int vb_vm_fault_init(int fd);

#endif
