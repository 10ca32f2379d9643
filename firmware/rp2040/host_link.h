// The controller's link to the host: TinyUSB's CDC interface 0, carrying only protocol frames.
// Nothing else writes to it (no stdio), and CDC does no line-ending translation, so it is
// binary-clean.
#pragma once
#include "picocray/hal.h"

namespace picocray::rp2040 {

class HostLink final : public hal::HostLink {
 public:
  size_t read(uint8_t* buf, size_t cap) override;
  size_t write(const uint8_t* data, size_t len) override;
  bool connected() override;
};

// Starts the USB device (descriptors in usb_descriptors.cpp).
void usb_init();
// Runs the USB stack; call often from core 0's main loop.
void usb_task();
// Pushes out what is queued for the host, for up to timeout_us (before a reboot).
void drain_host_link(uint32_t timeout_us);

}  // namespace picocray::rp2040
