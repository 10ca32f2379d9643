// TinyUSB's settings for the firmware: a device with one CDC interface (the host link). The
// SDK's reset interface (picotool, 1200 baud) rides alongside; see usb_descriptors.cpp.
#ifndef PICOCRAY_TUSB_CONFIG_H
#define PICOCRAY_TUSB_CONFIG_H

// The PICO_STDIO_USB_* settings that the SDK's reset_interface.c reads (that file includes only
// tusb.h, so it gets them through here).
#include "pico/stdio_usb.h"

#ifndef CFG_TUSB_MCU
#error "CFG_TUSB_MCU must be defined (the SDK tinyusb_device target does it)"
#endif
#ifndef CFG_TUSB_OS
#define CFG_TUSB_OS OPT_OS_PICO
#endif

#define CFG_TUSB_RHPORT0_MODE OPT_MODE_DEVICE
#define CFG_TUD_ENABLED 1
#define CFG_TUD_ENDPOINT0_SIZE 64

#define CFG_TUD_CDC 1
#define CFG_TUD_MSC 0
#define CFG_TUD_HID 0
#define CFG_TUD_MIDI 0
#define CFG_TUD_VENDOR 0

// Tiles are streamed to the host: a deep TX FIFO keeps the bus-facing loop from waiting on USB.
#define CFG_TUD_CDC_RX_BUFSIZE 512
#define CFG_TUD_CDC_TX_BUFSIZE 4096
#define CFG_TUD_CDC_EP_BUFSIZE 64

#endif
