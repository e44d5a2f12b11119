module.exports = {
  displayName: 'certificate-lifecycle-contract',
  preset: '../../../jest.preset.js',
  rootDir: '.',
};
