module.exports = {
  displayName: 'partner-registry',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
