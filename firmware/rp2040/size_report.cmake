# Prints the image's flash and static RAM use and fails the build when either leaves its budget
# (docs/hardware.md). Run after linking:
#   cmake -DOBJDUMP=... -DELF=... -DBOARD=... -DFLASH_BUDGET_KIB=... -DRAM_BUDGET_KIB=...
#         -DRAM_TOTAL_KIB=... -P size_report.cmake
#
# Counted from the section headers rather than `size`, which files the RAM-resident code in .data
# under "text": flash is every loaded section by its load address (code, constants, and the
# initial image of .data); RAM is every allocated section in SRAM (.data, .bss, the reserved heap
# and both cores' stacks).
execute_process(COMMAND ${OBJDUMP} -h ${ELF} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${OBJDUMP} -h failed on ${ELF}")
endif()

string(REPLACE "\n" ";" lines "${out}")
set(flash 0)
set(ram 0)
set(size "")
foreach(line IN LISTS lines)
  if(line MATCHES "^ *[0-9]+ +[^ ]+ +([0-9a-f]+) +([0-9a-f]+) +([0-9a-f]+) ")
    math(EXPR size "0x${CMAKE_MATCH_1}")
    math(EXPR vma "0x${CMAKE_MATCH_2}")
    math(EXPR lma "0x${CMAKE_MATCH_3}")
  elseif(NOT size STREQUAL "")
    # The flags line that follows each header line.
    if(line MATCHES "LOAD" AND lma GREATER_EQUAL 268435456 AND lma LESS 536870912)  # 0x10000000
      math(EXPR flash "${flash} + ${size}")
    endif()
    if(line MATCHES "ALLOC" AND vma GREATER_EQUAL 536870912 AND vma LESS 805306368)  # 0x20000000
      math(EXPR ram "${ram} + ${size}")
    endif()
    set(size "")
  endif()
endforeach()

math(EXPR flash_kib "(${flash} + 1023) / 1024")
math(EXPR ram_kib "(${ram} + 1023) / 1024")
message("picocray (${BOARD}): flash ${flash} B (${flash_kib} KiB of a ${FLASH_BUDGET_KIB} KiB budget), "
        "static RAM ${ram} B (${ram_kib} KiB of a ${RAM_BUDGET_KIB} KiB budget; "
        "the chip has ${RAM_TOTAL_KIB} KiB)")
if(flash_kib GREATER FLASH_BUDGET_KIB)
  message(FATAL_ERROR "picocray: flash use ${flash_kib} KiB is over its ${FLASH_BUDGET_KIB} KiB budget")
endif()
if(ram_kib GREATER RAM_BUDGET_KIB)
  message(FATAL_ERROR "picocray: static RAM ${ram_kib} KiB is over its ${RAM_BUDGET_KIB} KiB budget")
endif()
