module.exports = {
  displayName: 'as2-test-partner',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
