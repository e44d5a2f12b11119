module.exports = {
  displayName: 'partner-registry-contract',
  preset: '../../../jest.preset.js',
  rootDir: '.',
};
