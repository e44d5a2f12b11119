module.exports = {
  displayName: 'certificate-lifecycle',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
