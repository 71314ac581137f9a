/** @iothub/lbs: LBS service: resolves WiFi access points and cell towers to positions (GET /loc/query). */
export {};
