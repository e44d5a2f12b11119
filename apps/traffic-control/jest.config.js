module.exports = {
  displayName: 'traffic-control',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
