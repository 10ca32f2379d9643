// The board's wiring: the same pins as the original PicoCray hardware (docs/hardware.md).
#pragma once
#include <cstdint>

namespace picocray::rp2040 {

constexpr unsigned kPinSda = 10;        // I2C1 SDA, the shared bus
constexpr unsigned kPinScl = 11;        // I2C1 SCL
constexpr unsigned kPinAttention = 12;  // open drain: a secondary with a finished tile pulls it low
constexpr unsigned kPinAssert = 13;     // open drain: held low by the secondary being enrolled
constexpr unsigned kPinRole = 22;       // pulled up; tied to GND on the controller

// SCL frequency; set with -DPICOCRAY_I2C_HZ=... at configure time (firmware/CMakeLists.txt).
#ifndef PICOCRAY_I2C_HZ
#define PICOCRAY_I2C_HZ 1000000
#endif
constexpr uint32_t kI2cHz = PICOCRAY_I2C_HZ;
static_assert(kI2cHz >= 10000 && kI2cHz <= 4000000, "PICOCRAY_I2C_HZ out of range");

}  // namespace picocray::rp2040
