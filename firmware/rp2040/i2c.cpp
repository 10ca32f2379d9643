#include "i2c.h"

#include <initializer_list>

#include "hardware/gpio.h"
#include "hardware/i2c.h"
#include "pico/error.h"
#include "pico/i2c_slave.h"
#include "pico/time.h"
#include "pins.h"

namespace picocray::rp2040 {
namespace {

i2c_inst_t* const kBus = i2c1;
uint32_t g_hz = 0;
bool g_pull_ups = false;

// Frees a bus that a target left holding SDA low (say, it was reset mid-byte): up to nine SCL
// pulses until SDA is released, then a STOP, then the block afresh.
void recover_bus() {
  i2c_deinit(kBus);
  for (unsigned pin : {kPinSda, kPinScl}) {
    gpio_set_function(pin, GPIO_FUNC_SIO);
    gpio_put(pin, false);
    gpio_set_dir(pin, GPIO_IN);  // released: the pull-ups take it high
  }
  for (int i = 0; i < 9 && !gpio_get(kPinSda); ++i) {
    gpio_set_dir(kPinScl, GPIO_OUT);
    busy_wait_us(5);
    gpio_set_dir(kPinScl, GPIO_IN);
    busy_wait_us(5);
  }
  gpio_set_dir(kPinSda, GPIO_OUT);  // STOP: SDA rises while SCL is high
  busy_wait_us(5);
  gpio_set_dir(kPinSda, GPIO_IN);
  busy_wait_us(5);
  i2c_bus_init(g_hz, g_pull_ups);
}

}  // namespace

uint32_t i2c_bus_init(uint32_t hz, bool pull_ups) {
  g_hz = hz;
  g_pull_ups = pull_ups;
  uint32_t actual = i2c_init(kBus, hz);
  for (unsigned pin : {kPinSda, kPinScl}) {
    gpio_set_function(pin, GPIO_FUNC_I2C);
    if (pull_ups)
      gpio_pull_up(pin);
    else
      gpio_disable_pulls(pin);
  }
  return actual;
}

// ----- initiator (the controller) -----

hal::I2cStatus I2cInitiator::finish(int result, size_t len) {
  if (result == static_cast<int>(len)) return hal::I2cStatus::ok;
  kBus->restart_on_next = false;  // a failed nostop write must not leave a pending restart
  if (result == PICO_ERROR_TIMEOUT) {
    recover_bus();
    return hal::I2cStatus::timeout;
  }
  // pico-sdk reports an unanswered address (or an empty bus) as PICO_ERROR_GENERIC, and a data
  // byte refused after the address was taken as the count written before it.
  if (result == PICO_ERROR_GENERIC) return hal::I2cStatus::nack_address;
  if (result >= 0) return hal::I2cStatus::nack_data;
  return hal::I2cStatus::bus_error;
}

hal::I2cStatus I2cInitiator::write(uint8_t address, const uint8_t* data, size_t len,
                                   uint32_t timeout_us) {
  if (len == 0) return hal::I2cStatus::bus_error;  // the controller block cannot send no data
  return finish(i2c_write_timeout_us(kBus, address, data, len, false, timeout_us), len);
}

hal::I2cStatus I2cInitiator::read(uint8_t address, uint8_t* data, size_t len, uint32_t timeout_us) {
  if (len == 0) return hal::I2cStatus::bus_error;
  return finish(i2c_read_timeout_us(kBus, address, data, len, false, timeout_us), len);
}

hal::I2cStatus I2cInitiator::write_read(uint8_t address, const uint8_t* tx, size_t tx_len,
                                        uint8_t* rx, size_t rx_len, uint32_t timeout_us) {
  if (tx_len == 0 || rx_len == 0) return hal::I2cStatus::bus_error;
  uint64_t end = time_us_64() + timeout_us;
  // nostop: the read follows after a repeated start, so no other initiator can cut in.
  hal::I2cStatus s =
      finish(i2c_write_timeout_us(kBus, address, tx, tx_len, true, timeout_us), tx_len);
  if (s != hal::I2cStatus::ok) return s;
  uint64_t now = time_us_64();
  uint32_t left = now < end ? static_cast<uint32_t>(end - now) : 1;
  return finish(i2c_read_timeout_us(kBus, address, rx, rx_len, false, left), rx_len);
}

// ----- target (a secondary) -----

namespace {

hal::I2cTargetHandler* volatile g_handler = nullptr;

// Runs in the I2C1 interrupt on core 0, in the order pico_i2c_slave reports the events; from RAM,
// so a flash (XIP cache) miss never adds to the time SCL is held.
void __not_in_flash_func(on_event)(i2c_inst_t* i2c, i2c_slave_event_t event) {
  hal::I2cTargetHandler* h = g_handler;
  switch (event) {
    case I2C_SLAVE_RECEIVE:
      while (i2c_get_read_available(i2c) > 0) {
        uint8_t b = i2c_read_byte_raw(i2c);
        if (h) h->on_receive(b);
      }
      break;
    case I2C_SLAVE_REQUEST:
      // Always answer: the target stretches SCL until a byte is in the TX FIFO. Fill the FIFO
      // ahead, so the next 15 bytes go out without another RD_REQ, each of which held SCL for
      // the interrupt's entry and exit (docs/emulator.md). Bytes the controller does not read are
      // flushed by the block at the next read (TX_ABRT, reported as a finish).
      do {
        i2c_write_byte_raw(i2c, h ? h->on_request() : 0xFF);
      } while (i2c_get_write_available(i2c) > 0);
      break;
    case I2C_SLAVE_FINISH:
      // A late interrupt can see STOP and the last bytes at once, and pico_i2c_slave reports the
      // STOP first: hand over what is still in the FIFO so the transfer ends whole.
      while (i2c_get_read_available(i2c) > 0) {
        uint8_t b = i2c_read_byte_raw(i2c);
        if (h) h->on_receive(b);
      }
      if (h) h->on_finish();
      break;
  }
}

}  // namespace

void I2cTarget::listen(uint8_t address, hal::I2cTargetHandler* handler) {
  // pico_i2c_slave takes its address at init only: moving means starting over.
  if (active_) i2c_slave_deinit(kBus);
  g_handler = handler;
  i2c_slave_init(kBus, address, &on_event);
  active_ = true;
}

void I2cTarget::stop() {
  if (active_) i2c_slave_deinit(kBus);
  active_ = false;
  g_handler = nullptr;
}

}  // namespace picocray::rp2040
