# Cross build of the portable code for a Cortex-M0+ (RP2040), used to prove common/ and
# firmware/core stay freestanding. The board firmware itself builds through the Pico SDK.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_CXX_FLAGS_INIT "-mcpu=cortex-m0plus -mthumb -fno-exceptions -fno-rtti -ffreestanding")
