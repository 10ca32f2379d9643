@ PicoCray's own boot ROM for the emulated RP2040 (firmware/emu). Written from the RP2040
@ datasheet, section 2.8: the vector table, the magic and version at 0x10, the 16-bit pointers to
@ the public function table, the public data table and the lookup function at 0x14/0x16/0x18, and
@ the functions the Pico SDK looks up. Entries that touch hardware (flash, USB boot) trap to the
@ emulator with BKPT and a code (firmware/emu/lib/traps.js); the rest are plain Thumb-1 code.
@ Only core 0 runs this reset handler: the emulator holds core 1 in its own launch handshake.

        .syntax unified
        .cpu cortex-m0plus
        .thumb

        .equ TRAP_FLASH_ERASE, 0x10
        .equ TRAP_FLASH_PROGRAM, 0x11
        .equ TRAP_USB_BOOT, 0x12
        .equ TRAP_UNIMPLEMENTED, 0x13
        .equ TRAP_HARD_FAULT, 0x14
        .equ BOOT2_RAM, 0x20041f00

        .section .text
        .global _start
_start:
        .word 0x20042000                @ initial SP: the top of SRAM
        .word reset + 1
        .word hard_fault + 1            @ NMI
        .word hard_fault + 1            @ HardFault
        .byte 'M', 'u', 0x01, 0x03      @ magic, and the version: 3, as an RP2040-B2
        .hword func_table               @ 0x14
        .hword data_table               @ 0x16
        .hword table_lookup + 1         @ 0x18

        .align 2
@ Copies the 256-byte second-stage boot loader from the start of flash to the top of SRAM and
@ runs it with LR = 0, which tells it to enter the application's vector table at 0x10000100. Its
@ stack sits just below it.
reset:
        ldr r0, =BOOT2_RAM
        mov sp, r0
        ldr r1, =0x10000000
        movs r2, #252                   @ the last 4 bytes are its CRC, not code
        bl memcpy
        movs r0, #0
        mov lr, r0
        ldr r0, =BOOT2_RAM + 1
        bx r0

hard_fault:
        bkpt #TRAP_HARD_FAULT
        b hard_fault

@ void *table_lookup(const uint16_t *table, uint32_t code): entries are (code, address) halfword
@ pairs ending with code 0; returns the address, or 0.
table_lookup:
        ldrh r2, [r0]
        cmp r2, #0
        beq 2f
        cmp r2, r1
        beq 1f
        adds r0, #4
        b table_lookup
1:      ldrh r0, [r0, #2]
        bx lr
2:      movs r0, #0
        bx lr

@ uint32_t popcount32(uint32_t)
popcount32:
        movs r1, #0
1:      cmp r0, #0
        beq 2f
        subs r2, r0, #1
        ands r0, r2                     @ clears the lowest set bit
        adds r1, #1
        b 1b
2:      movs r0, r1
        bx lr

@ uint32_t reverse32(uint32_t)
reverse32:
        movs r1, #0
        movs r2, #32
1:      lsls r1, r1, #1
        lsrs r0, r0, #1
        bcc 2f
        adds r1, #1
2:      subs r2, #1
        bne 1b
        movs r0, r1
        bx lr

@ uint32_t clz32(uint32_t): 32 for 0
clz32:
        movs r1, #32
1:      cmp r0, #0
        beq 2f
        lsrs r0, r0, #1
        subs r1, #1
        b 1b
2:      movs r0, r1
        bx lr

@ uint32_t ctz32(uint32_t): 32 for 0
ctz32:
        movs r1, #32
        cmp r0, #0
        beq 2f
        movs r1, #0
1:      lsrs r0, r0, #1
        bcs 2f
        adds r1, #1
        b 1b
2:      movs r0, r1
        bx lr

@ void *memcpy(void *dst, const void *src, uint32_t n): words while both are aligned.
memcpy:
memcpy44:
        mov r12, r0
        movs r3, r0
        orrs r3, r1
        lsls r3, r3, #30
        bne 2f
1:      cmp r2, #4
        blo 2f
        ldr r3, [r1]
        str r3, [r0]
        adds r0, #4
        adds r1, #4
        subs r2, #4
        b 1b
2:      cmp r2, #0
        beq 3f
        ldrb r3, [r1]
        strb r3, [r0]
        adds r0, #1
        adds r1, #1
        subs r2, #1
        b 2b
3:      mov r0, r12
        bx lr

@ void *memset(void *p, uint8_t c, uint32_t n)
memset:
memset4:
        mov r12, r0
        movs r3, #0xff
        ands r1, r3
        lsls r3, r1, #8
        orrs r1, r3
        lsls r3, r1, #16
        orrs r1, r3                     @ the byte in all four lanes
        lsls r3, r0, #30
        bne 2f
1:      cmp r2, #4
        blo 2f
        str r1, [r0]
        adds r0, #4
        subs r2, #4
        b 1b
2:      cmp r2, #0
        beq 3f
        strb r1, [r0]
        adds r0, #1
        subs r2, #1
        b 2b
3:      mov r0, r12
        bx lr

@ The flash interface's set-up functions: the emulated QSPI needs none of them (its XIP reads
@ always work, and commands sent through the SSI are answered by the emulator).
flash_nop:
        bx lr

@ void flash_range_erase(uint32_t addr, size_t count, uint32_t block_size, uint8_t block_cmd)
flash_range_erase:
        bkpt #TRAP_FLASH_ERASE
        bx lr

@ void flash_range_program(uint32_t addr, const uint8_t *data, size_t count)
flash_range_program:
        bkpt #TRAP_FLASH_PROGRAM
        bx lr

@ void reset_usb_boot(uint32_t gpio_activity_pin_mask, uint32_t disable_interface_mask)
reset_usb_boot:
        bkpt #TRAP_USB_BOOT
        b reset_usb_boot

@ Soft float and double entries: the image must not use them; a call stops the board loudly.
unimplemented:
        bkpt #TRAP_UNIMPLEMENTED
        b unimplemented

        .ltorg

        .align 2
func_table:
        .hword 'P' | '3' << 8, popcount32 + 1
        .hword 'R' | '3' << 8, reverse32 + 1
        .hword 'L' | '3' << 8, clz32 + 1
        .hword 'T' | '3' << 8, ctz32 + 1
        .hword 'M' | 'S' << 8, memset + 1
        .hword 'S' | '4' << 8, memset4 + 1
        .hword 'M' | 'C' << 8, memcpy + 1
        .hword 'C' | '4' << 8, memcpy44 + 1
        .hword 'I' | 'F' << 8, flash_nop + 1
        .hword 'E' | 'X' << 8, flash_nop + 1
        .hword 'R' | 'E' << 8, flash_range_erase + 1
        .hword 'R' | 'P' << 8, flash_range_program + 1
        .hword 'F' | 'C' << 8, flash_nop + 1
        .hword 'C' | 'X' << 8, flash_nop + 1
        .hword 'U' | 'B' << 8, reset_usb_boot + 1
        .hword 0, 0

data_table:
        .hword 'C' | 'R' << 8, copyright
        .hword 'G' | 'R' << 8, git_revision
        .hword 'S' | 'F' << 8, float_table
        .hword 'S' | 'D' << 8, double_table
        .hword 0, 0

        .align 2
git_revision:
        .word 0
copyright:
        .asciz "PicoCray emulated boot ROM"

@ Each table is preceded by its size in words (the SDK checks the byte two before the table).
        .align 2
        .hword 0
        .byte 32, 0
float_table:
        .rept 32
        .word unimplemented + 1
        .endr
        .hword 0
        .byte 32, 0
double_table:
        .rept 32
        .word unimplemented + 1
        .endr
