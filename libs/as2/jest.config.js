module.exports = {
  displayName: 'as2',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
