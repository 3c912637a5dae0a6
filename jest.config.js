// Extend the shared settings in .config/ here rather than editing them.
module.exports = {
  ...require('./.config/jest.config'),
};
