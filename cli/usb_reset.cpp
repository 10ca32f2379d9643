#include "usb_reset.h"

#include <fcntl.h>
#include <linux/usbdevice_fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "errors.h"

namespace picocray::cli {

namespace {

// pico-sdk's usb_reset_interface.h and firmware/rp2040/usb_descriptors.cpp.
constexpr unsigned kResetInterface = 2;
constexpr uint8_t kResetRequestBootsel = 0x01;
constexpr uint8_t kClassInterfaceOut = 0x21;  // host to device, class, interface

}  // namespace

void usb_reset_interface_bootsel(int bus, int address, const std::string& name) {
  char path[64];
  std::snprintf(path, sizeof path, "/dev/bus/usb/%03d/%03d", bus, address);
  const int fd = ::open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0)
    throw CliError(kExitPort, name + ": cannot open its USB device " + path + ": " +
                                  std::strerror(errno) + " (docs/hardware.md: the udev rule)");
  unsigned itf = kResetInterface;
  if (::ioctl(fd, USBDEVFS_CLAIMINTERFACE, &itf) != 0) {
    const int e = errno;
    ::close(fd);
    throw CliError(kExitPort, name + ": cannot claim its reset interface: " + std::strerror(e));
  }
  usbdevfs_ctrltransfer t{};
  t.bRequestType = kClassInterfaceOut;
  t.bRequest = kResetRequestBootsel;
  t.wIndex = kResetInterface;
  t.timeout = 1000;
  // The board may be gone before the status stage: an error here is no proof it failed.
  const int r = ::ioctl(fd, USBDEVFS_CONTROL, &t);
  const int e = errno;
  ::ioctl(fd, USBDEVFS_RELEASEINTERFACE, &itf);
  ::close(fd);
  if (r < 0 && e != ENODEV && e != EPROTO && e != EPIPE && e != ETIMEDOUT)
    throw CliError(kExitPort, name + ": the BOOTSEL request failed: " + std::strerror(e));
}

}  // namespace picocray::cli
