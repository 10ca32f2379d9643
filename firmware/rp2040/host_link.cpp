#include "host_link.h"

#include "pico/time.h"
#include "tusb.h"

namespace picocray::rp2040 {

size_t HostLink::read(uint8_t* buf, size_t cap) {
  if (cap == 0 || tud_cdc_available() == 0) return 0;
  return tud_cdc_read(buf, static_cast<uint32_t>(cap));
}

size_t HostLink::write(const uint8_t* data, size_t len) {
  uint32_t room = tud_cdc_write_available();
  uint32_t n = len < room ? static_cast<uint32_t>(len) : room;
  if (n > 0) n = tud_cdc_write(data, n);
  tud_cdc_write_flush();
  return n;
}

bool HostLink::connected() {
  return tud_cdc_connected();
}

void usb_init() {
  tusb_init();
}

void usb_task() {
  tud_task();
}

void drain_host_link(uint32_t timeout_us) {
  uint64_t end = time_us_64() + timeout_us;
  while (tud_cdc_connected() && tud_cdc_write_available() < CFG_TUD_CDC_TX_BUFSIZE &&
         time_us_64() < end) {
    tud_cdc_write_flush();
    tud_task();
  }
  // The last packet is on its way once the FIFO is empty; give the host a moment to take it.
  uint64_t settle = time_us_64() + 20000;
  while (time_us_64() < settle && time_us_64() < end) tud_task();
}

}  // namespace picocray::rp2040
