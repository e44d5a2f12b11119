module.exports = {
  displayName: 'certificate-lifecycle-domain',
  preset: '../../../jest.preset.js',
  rootDir: '.',
};
