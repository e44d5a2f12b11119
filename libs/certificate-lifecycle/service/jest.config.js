module.exports = {
  displayName: 'certificate-lifecycle-service',
  preset: '../../../jest.preset.js',
  rootDir: '.',
};
