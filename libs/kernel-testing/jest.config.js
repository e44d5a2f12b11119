module.exports = {
  displayName: 'kernel-testing',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
