module.exports = {
  displayName: 'as2-testing',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
