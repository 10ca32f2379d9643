// The USB host's side of the emulated controller's control endpoint beyond what rp2040js's USBCDC
// does at enumeration: the requests `picocray reset --bootsel --via baud|vendor` makes of a board
// (docs/hardware.md), as a host's USB stack sends them.
//
//   SET_LINE_CODING at 1200 baud (class request to the CDC interface, a 7-byte data stage): what
//     opening the serial port at 1200 baud sends; the SDK's reset_interface.c answers it with
//     reset_usb_boot once the status stage is done.
//   RESET_REQUEST_BOOTSEL (class request 0x01 to the SDK's reset interface, no data stage): what
//     `picotool reboot -f -u` sends.

const CDC_SET_LINE_CODING = 0x20;
const CDC_INTERFACE = 0; // firmware/rp2040/usb_descriptors.cpp: kItfLink
const RESET_INTERFACE = 2; // kItfReset
const RESET_REQUEST_BOOTSEL = 0x01;
const REQUEST_CLASS_INTERFACE_OUT = 0x21; // host to device, class, interface

function setupPacket(bmRequestType, bRequest, wValue, wIndex, wLength) {
  return new Uint8Array([
    bmRequestType,
    bRequest,
    wValue & 0xff,
    wValue >> 8,
    wIndex & 0xff,
    wIndex >> 8,
    wLength & 0xff,
    wLength >> 8,
  ]);
}

// A control OUT transfer: the setup packet, then `data` when the device arms endpoint 0 for it.
// rp2040js's USBCDC keeps its own handler for every other endpoint.
function controlOut(usb, setup, data) {
  if (data.length > 0) {
    const previous = usb.onEndpointRead;
    usb.onEndpointRead = (endpoint, size) => {
      if (endpoint !== 0) {
        previous?.(endpoint, size);
        return;
      }
      usb.onEndpointRead = previous;
      usb.endpointReadDone(0, data);
    };
  }
  usb.sendSetupPacket(setup);
}

export function setLineCoding(usb, baud) {
  const coding = new Uint8Array(7); // dwDTERate, bCharFormat (1 stop bit), bParityType (none), bDataBits
  new DataView(coding.buffer).setUint32(0, baud, true);
  coding[6] = 8;
  controlOut(usb, setupPacket(REQUEST_CLASS_INTERFACE_OUT, CDC_SET_LINE_CODING, 0, CDC_INTERFACE, 7), coding);
}

export function resetInterfaceBootsel(usb) {
  controlOut(usb, setupPacket(REQUEST_CLASS_INTERFACE_OUT, RESET_REQUEST_BOOTSEL, 0, RESET_INTERFACE, 0), new Uint8Array(0));
}
