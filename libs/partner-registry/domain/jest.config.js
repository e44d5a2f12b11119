module.exports = {
  displayName: 'partner-registry-domain',
  preset: '../../../jest.preset.js',
  rootDir: '.',
};
