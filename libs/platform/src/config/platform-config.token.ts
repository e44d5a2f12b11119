/** The PlatformConfig the app was started with (provided by PlatformModule). */
export const PLATFORM_CONFIG = Symbol('PlatformConfig');
