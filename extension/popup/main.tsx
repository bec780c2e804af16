// Placeholder until the popup UI is mounted here.
export {};
