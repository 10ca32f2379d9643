// The board's wiring: the same pins as the original PicoCray hardware (docs/hardware.md).
#pragma once
#include <cstdint>

#include "picocray/display.h"

namespace picocray::rp2040 {

constexpr unsigned kPinSda = 10;        // I2C1 SDA, the shared bus
constexpr unsigned kPinScl = 11;        // I2C1 SCL
constexpr unsigned kPinAttention = 12;  // open drain: a secondary with a finished tile pulls it low
constexpr unsigned kPinAssert = 13;     // open drain: held low by the secondary being enrolled
constexpr unsigned kPinRole = 22;       // pulled up; tied to GND on the controller

// The controller's LCD (ILI9341, SPI0) and touch panel (XPT2046, SPI1), as the original wired them.
constexpr unsigned kPinLcdSck = 2;
constexpr unsigned kPinLcdMosi = 3;
constexpr unsigned kPinLcdMiso = 4;
constexpr unsigned kPinLcdCs = 5;
constexpr unsigned kPinLcdReset = 6;
constexpr unsigned kPinLcdDc = 7;
constexpr unsigned kPinTouchDout = 8;  // T_DO: SPI1 RX
constexpr unsigned kPinTouchIrq = 9;   // T_IRQ: low while the pen is down
constexpr unsigned kPinTouchClk = 14;  // T_CLK: SPI1 SCK
constexpr unsigned kPinTouchDin = 15;  // T_DIN: SPI1 TX
constexpr uint32_t kLcdWriteHz = 31250000;
constexpr uint32_t kLcdReadHz = 6250000;
constexpr uint32_t kTouchHz = 2000000;
// The panel's raw touch readings at its edges and how its axes lie (docs/hardware.md, section 8).
constexpr TouchCalibration kTouchCalibration{};

// SCL frequency; set with -DPICOCRAY_I2C_HZ=... at configure time (firmware/CMakeLists.txt).
#ifndef PICOCRAY_I2C_HZ
#define PICOCRAY_I2C_HZ 1000000
#endif
constexpr uint32_t kI2cHz = PICOCRAY_I2C_HZ;
static_assert(kI2cHz >= 10000 && kI2cHz <= 4000000, "PICOCRAY_I2C_HZ out of range");

}  // namespace picocray::rp2040
