// What the board tells the host over USB: a CDC interface for the protocol frames (interfaces 0
// and 1) and the SDK's reset interface (interface 2) so that `picotool load -f` and
// `picocray reset --bootsel` can put a running board into BOOTSEL mode.
//
// The reset interface's driver, its Microsoft OS 2.0 descriptor (hard-coded to interface 2) and
// the 1200-baud BOOTSEL reset are the SDK's own reset_interface.c, compiled into the image by
// firmware/CMakeLists.txt. Linking pico_stdio_usb would bring them too, but also a stdio driver
// that could put text on the protocol link; the one source file brings only the reset.
#include "pico/usb_reset_interface.h"
#include "system.h"
#include "tusb.h"

namespace {

constexpr uint16_t kVendorRaspberryPi = 0x2E8A;
// The SDK's own CDC product IDs (stdio_usb_descriptors.c), allotted by Raspberry Pi for
// pico-sdk devices; the host tool finds the board by vendor and product string, not by PID.
#if PICO_RP2040
constexpr uint16_t kProduct = 0x000A;
#else
constexpr uint16_t kProduct = 0x0009;
#endif

enum StringIndex : uint8_t {
  kStrLanguage = 0,
  kStrManufacturer,
  kStrProduct,
  kStrSerial,
  kStrLink,
  kStrReset,
  kStrCount
};

enum Interface : uint8_t { kItfLink = 0, kItfLinkData = 1, kItfReset = 2, kItfCount = 3 };

constexpr uint8_t kEpLinkNotify = 0x81;
constexpr uint8_t kEpLinkOut = 0x02;
constexpr uint8_t kEpLinkIn = 0x82;
constexpr uint16_t kResetDescLen = 9;
constexpr uint16_t kConfigLen = TUD_CONFIG_DESC_LEN + TUD_CDC_DESC_LEN + kResetDescLen;

const tusb_desc_device_t kDevice = {
    sizeof(tusb_desc_device_t),
    TUSB_DESC_DEVICE,
    0x0210,  // USB 2.1: Windows then asks for the BOS and its MS OS 2.0 descriptor
    TUSB_CLASS_MISC,
    MISC_SUBCLASS_COMMON,
    MISC_PROTOCOL_IAD,
    CFG_TUD_ENDPOINT0_SIZE,
    kVendorRaspberryPi,
    kProduct,
    0x0100,
    kStrManufacturer,
    kStrProduct,
    kStrSerial,
    1,
};

const uint8_t kConfig[kConfigLen] = {
    TUD_CONFIG_DESCRIPTOR(1, kItfCount, 0, kConfigLen, 0, 100),
    TUD_CDC_DESCRIPTOR(kItfLink, kStrLink, kEpLinkNotify, 8, kEpLinkOut, kEpLinkIn, 64),
    // The SDK's reset interface: vendor class, no endpoints (TUD_RPI_RESET_DESCRIPTOR).
    // clang-format off
    kResetDescLen, TUSB_DESC_INTERFACE, kItfReset, 0, 0, TUSB_CLASS_VENDOR_SPECIFIC,
    RESET_INTERFACE_SUBCLASS, RESET_INTERFACE_PROTOCOL, kStrReset,
    // clang-format on
};
static_assert(kItfLinkData == kItfLink + 1, "CDC takes two interfaces");

const char* const kStrings[kStrCount] = {
    "",
    "PicoCray",
    "PicoCray cluster controller",  // every board enumerates alike: one image
    nullptr,                        // the serial number, made from the unique ID
    "PicoCray link",
    "Reset",
};

}  // namespace

const uint8_t* tud_descriptor_device_cb(void) {
  return reinterpret_cast<const uint8_t*>(&kDevice);
}

const uint8_t* tud_descriptor_configuration_cb(uint8_t index) {
  (void)index;
  return kConfig;
}

const uint16_t* tud_descriptor_string_cb(uint8_t index, uint16_t langid) {
  (void)langid;
  static uint16_t desc[32];
  uint8_t len = 0;
  if (index == kStrLanguage) {
    desc[1] = 0x0409;  // English (US)
    len = 1;
  } else if (index == kStrSerial) {
    // The unique ID as `picocray nodes` prints it: the little-endian uint64 in 16 lowercase hex
    // digits, high first (the byte-reverse of the string picotool and pico-sdk show).
    uint64_t id = picocray::rp2040::board_unique_id();
    for (len = 0; len < 16; ++len) {
      unsigned nibble = static_cast<unsigned>(id >> (60 - 4 * len)) & 0xFu;
      desc[1 + len] = static_cast<uint16_t>("0123456789abcdef"[nibble]);
    }
  } else if (index < kStrCount) {
    const char* s = kStrings[index];
    for (len = 0; len < 31 && s[len]; ++len) desc[1 + len] = static_cast<uint16_t>(s[len]);
  } else {
    return nullptr;
  }
  desc[0] = static_cast<uint16_t>((TUSB_DESC_STRING << 8) | (2 * len + 2));
  return desc;
}
