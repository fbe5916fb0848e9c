// SAST for JavaScript with eslint-plugin-security: the reference worker's stand-in for semgrep
// (examples/worker-local.yaml). scripts/install-scanners.sh copies this file next to the npm
// packages it installs, where the plugin import resolves.
import security from "eslint-plugin-security";

export default [
  { ignores: ["**/node_modules/**", "**/dist/**", "**/*.min.js"] },
  security.configs.recommended,
  { rules: { "no-eval": "error", "no-implied-eval": "error", "no-new-func": "error" } },
];
