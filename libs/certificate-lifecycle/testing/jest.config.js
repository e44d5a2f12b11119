module.exports = {
  displayName: 'certificate-lifecycle-testing',
  preset: '../../../jest.preset.js',
  rootDir: '.',
};
