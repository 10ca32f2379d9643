# Prints the image's flash and static RAM use and fails the build when either leaves its budget
# (docs/hardware.md). Run after linking: cmake -DSIZE=... -DELF=... -DFLASH_BUDGET_KIB=...
# -DRAM_BUDGET_KIB=... -DRAM_TOTAL_KIB=... -P size_report.cmake
execute_process(COMMAND ${SIZE} -B ${ELF} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${SIZE} failed on ${ELF}")
endif()
# Berkeley format: text data bss dec hex filename; take the second line.
string(REGEX MATCH "\n *([0-9]+)[ \t]+([0-9]+)[ \t]+([0-9]+)" row "${out}")
set(text ${CMAKE_MATCH_1})
set(data ${CMAKE_MATCH_2})
set(bss ${CMAKE_MATCH_3})
# Flash holds the code, read-only data and the initial values of .data; RAM holds .data, .bss,
# both stacks and the reserved heap (the linker script puts the last three in .bss-like sections).
math(EXPR flash "${text} + ${data}")
math(EXPR ram "${data} + ${bss}")
math(EXPR flash_kib "(${flash} + 1023) / 1024")
math(EXPR ram_kib "(${ram} + 1023) / 1024")
message(STATUS "picocray (${BOARD}): flash ${flash} B (${flash_kib} KiB of a ${FLASH_BUDGET_KIB} KiB budget), "
               "static RAM ${ram} B (${ram_kib} KiB of a ${RAM_BUDGET_KIB} KiB budget; "
               "the chip has ${RAM_TOTAL_KIB} KiB)")
if(flash_kib GREATER FLASH_BUDGET_KIB)
  message(FATAL_ERROR "picocray: flash use ${flash_kib} KiB is over its ${FLASH_BUDGET_KIB} KiB budget")
endif()
if(ram_kib GREATER RAM_BUDGET_KIB)
  message(FATAL_ERROR "picocray: static RAM ${ram_kib} KiB is over its ${RAM_BUDGET_KIB} KiB budget")
endif()
