// The SDK reset interface's BOOTSEL request to a board on USB, as `picotool reboot -f -u` sends it,
// through Linux's usbfs (no libusb): `picocray reset --bootsel --via vendor` on a serial port.
#pragma once
#include <string>

namespace picocray::cli {

// Sends RESET_REQUEST_BOOTSEL to interface 2 of the USB device at bus/address (the port `name`,
// for messages). Throws CliError(kExitPort) when the device cannot be opened or refuses it.
void usb_reset_interface_bootsel(int bus, int address, const std::string& name);

}  // namespace picocray::cli
