module.exports = {
  displayName: 'timestamping',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
