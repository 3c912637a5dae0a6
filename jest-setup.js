// Project-level test setup; browser shims live in .config/jest-setup.js.
import './.config/jest-setup';
