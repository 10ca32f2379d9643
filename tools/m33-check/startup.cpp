// Bare-metal start-up for qemu's mps2-an505 (Cortex-M33, secure state): the vector table the
// core boots from at 0x10000000, a reset handler that zeroes .bss and runs main, then exits
// through semihosting (SYS_EXIT, ADP_Stopped_ApplicationExit).
#include <cstdint>
#include <cstring>

extern "C" int m33_main();
extern "C" uint32_t __bss_start, __bss_end, __stack_top;

extern "C" [[noreturn]] void reset_handler() {
  std::memset(&__bss_start, 0,
              reinterpret_cast<char*>(&__bss_end) - reinterpret_cast<char*>(&__bss_start));
  m33_main();
  register uint32_t r0 asm("r0") = 0x18;
  register uint32_t r1 asm("r1") = 0x20026;
  asm volatile("bkpt 0xab" : : "r"(r0), "r"(r1));
  for (;;) {
  }
}

extern "C" [[noreturn]] void fault_handler() {
  register uint32_t r0 asm("r0") = 0x04;
  register const char* r1 asm("r1") = "FAULT\n";
  asm volatile("bkpt 0xab" : : "r"(r0), "r"(r1));
  register uint32_t e0 asm("r0") = 0x18;
  register uint32_t e1 asm("r1") = 0x20023;  // ADP_Stopped_RunTimeErrorUnknown
  asm volatile("bkpt 0xab" : : "r"(e0), "r"(e1));
  for (;;) {
  }
}

__attribute__((section(".vectors"), used)) const void* const vectors[8] = {
    &__stack_top,
    reinterpret_cast<const void*>(&reset_handler),
    reinterpret_cast<const void*>(&fault_handler),
    reinterpret_cast<const void*>(&fault_handler),
    reinterpret_cast<const void*>(&fault_handler),
    reinterpret_cast<const void*>(&fault_handler),
    reinterpret_cast<const void*>(&fault_handler),
    reinterpret_cast<const void*>(&fault_handler),
};
