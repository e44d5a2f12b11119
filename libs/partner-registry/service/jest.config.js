module.exports = {
  displayName: 'partner-registry-service',
  preset: '../../../jest.preset.js',
  rootDir: '.',
};
