module.exports = {
  displayName: 'traffic-control-domain',
  preset: '../../../jest.preset.js',
  rootDir: '.',
};
