/** @iothub/instruction-server: Jimi-compatible instruction API (sendInstruct, offline commands) on API_PORT. */
export {};
