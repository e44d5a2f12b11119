module.exports = {
  displayName: 'tsa',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
