module.exports = {
  displayName: 'all-in-one',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
